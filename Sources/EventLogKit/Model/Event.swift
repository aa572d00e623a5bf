/// A validated event, as the store keeps it.
struct Event: Equatable, Sendable {
    var id: Int64 = 0
    var timestamp: Int64
    var type: EventType
    var serviceId: Int64
    var actor: Actor
    var djName: String?
    var sourceIp: String?
    var takeover: Bool?
    var details: JSONObject
    /// `details` as stored: encoded once, when validated.
    var detailsJSON: String?
    /// A hook's key for this delivery: a second event with the same key is
    /// not stored again.
    var deliveryKey: String?

    /// The one-line message, written at log time.
    var message: String = ""
}
