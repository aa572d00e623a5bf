/// The catalog as JSON (`el_catalog`), so that the bridge, the pages and the
/// API description take types, labels and limits from the library instead of
/// keeping copies.
enum CatalogJSON {
    static let bytes: [UInt8] = {
        var w = JSONWriter(capacity: 4096)
        w.raw("{")
        w.key("categories", first: true)
        list(&w, Category.allCases) { w, c in
            w.raw("{"); w.key("id", first: true); w.string(c.rawValue); w.key("label"); w.string(c.label); w.raw("}")
        }
        w.key("types")
        list(&w, Catalog.all) { w, t in
            w.raw("{")
            w.key("id", first: true); w.string(t.id)
            w.key("label"); w.string(t.label)
            w.key("category"); w.string(t.category.rawValue)
            w.key("defaultActor"); if let actor = t.defaultActor { w.string(actor.rawValue) } else { w.raw("null") }
            w.key("requires"); list(&w, t.requirements.flatMap(\.fields)) { w, f in w.string(f) }
            w.raw("}")
        }
        w.key("actorTypes")
        list(&w, ActorType.allCases) { w, a in w.string(a.rawValue) }
        w.key("reasons")
        w.raw("{")
        w.key("service.suspend", first: true); list(&w, Catalog.suspendReasons.sorted()) { w, r in w.string(r) }
        w.key("service.stop"); list(&w, Catalog.stopReasons.sorted()) { w, r in w.string(r) }
        w.raw("}")
        w.key("autoDJTriggers"); list(&w, Catalog.autoDJTriggers.sorted()) { w, r in w.string(r) }
        w.key("limits")
        w.raw("{")
        w.key("fieldBytes", first: true); w.integer(Int64(Limits.fieldBytes))
        w.key("eventBytes"); w.integer(Int64(Limits.eventBytes))
        w.key("batchEvents"); w.integer(Int64(Limits.batchEvents))
        w.key("deliveryKeyBytes"); w.integer(Int64(Limits.deliveryKeyBytes))
        w.key("queryBytes"); w.integer(Int64(Limits.queryBytes))
        w.key("defaultPerPage"); w.integer(Limits.defaultPerPage)
        w.key("maxPerPage"); w.integer(Limits.maxPerPage)
        w.key("maxPage"); w.integer(Limits.maxPage)
        w.key("futureMilliseconds"); w.integer(Limits.futureMilliseconds)
        w.raw("}")
        w.raw("}")
        return w.bytes.array
    }()

    private static func list<T>(_ w: inout JSONWriter, _ items: [T], _ write: (inout JSONWriter, T) -> Void) {
        w.raw("[")
        for (i, item) in items.enumerated() {
            if i > 0 { w.raw(",") }
            write(&w, item)
        }
        w.raw("]")
    }
}
