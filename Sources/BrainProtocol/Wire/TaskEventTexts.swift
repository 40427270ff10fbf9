/// Where the texts that redaction reads lie in a task event's frame
/// (``TaskEventFrameParser/texts(of:)``): the bytes as the agent sent them, valid only as
/// long as the frame is. Empty when the event does not carry the field.
public struct TaskEventTexts {
    /// `args_json`.
    public var args = UnsafeRawBufferPointer(start: nil, count: 0)
    /// `kwargs_json`.
    public var kwargs = UnsafeRawBufferPointer(start: nil, count: 0)
    /// `exc_message`.
    public var excMessage = UnsafeRawBufferPointer(start: nil, count: 0)
    /// `traceback`.
    public var traceback = UnsafeRawBufferPointer(start: nil, count: 0)
    /// `payload_json`.
    public var payload = UnsafeRawBufferPointer(start: nil, count: 0)

    public init() {}
}
