/// The periods exact totals are counted in, on every engine: a view's total
/// is the counters of the whole periods in its range plus its partial ends
/// counted live (see each engine's Totals).
enum CounterPeriod {
    case hour        // all services, per type and actor
    case serviceDay  // per service, type and actor

    var length: Int64 { self == .hour ? 3_600_000 : Time.millisecondsPerDay }

    /// The counters a view reads: hours for the whole panel, service days
    /// once the view is limited to some services.
    init(_ filter: Filter, _ scope: Scope) {
        self = scope.isUnrestricted && filter.serviceId == nil && filter.ownerId == nil ? .hour : .serviceDay
    }

    /// The view cut into the part the counters answer (its whole periods)
    /// and the partial ends counted live; nil when it has no whole period or
    /// cannot be counted (a text search matches words, not counters).
    func split(_ filter: Filter) -> (whole: Filter, ends: [Filter])? {
        guard filter.text == nil else { return nil }
        let wholeStart = filter.from.map { Self.ceil($0, length) }
        let wholeEnd = filter.to.map { Self.floor($0, length) }
        if let wholeStart, let wholeEnd, wholeStart >= wholeEnd { return nil }
        var whole = filter
        whole.from = wholeStart
        whole.to = wholeEnd
        var ends: [Filter] = []
        if let wholeStart {
            var head = filter
            head.to = wholeStart
            ends.append(head)
        }
        if let wholeEnd {
            var end = filter
            end.from = wholeEnd
            ends.append(end)
        }
        return (whole, ends)
    }

    static func floor(_ t: Int64, _ unit: Int64) -> Int64 {
        let q = t / unit
        return (t % unit != 0 && t < 0 ? q - 1 : q) * unit
    }

    static func ceil(_ t: Int64, _ unit: Int64) -> Int64 {
        let f = floor(t, unit)
        return f == t ? t : f + unit
    }
}
