/// The query JSON every engine answers with:
/// `{"logs": [...], "total", "page", "perPage", "totalPages", "cursor"}`.
/// With `after` the logs are the view's events logged since that cursor (the
/// newest `perPage` of them) and the total is still the whole view's;
/// `cursor` is where this read ends.
enum PageJSON {
    static func write(filter: Filter, total: Int64, cursor: String, logs: (inout JSONWriter) throws -> Void) throws -> ByteBuffer {
        var w = JSONWriter(capacity: 512 * Int(filter.perPage))
        w.raw("{\"logs\":[")
        try logs(&w)
        w.raw("]")
        w.key("total"); w.integer(total)
        w.key("page"); w.integer(filter.page)
        w.key("perPage"); w.integer(filter.perPage)
        w.key("totalPages"); w.integer((total + filter.perPage - 1) / filter.perPage)
        w.key("cursor"); w.string(cursor)
        w.raw("}")
        return w.bytes
    }
}
