/// UUID text: 8-4-4-4-12 hex digits.
enum UUIDText {
    static func isValid(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        guard utf8.count == 36 else { return false }
        for (index, byte) in utf8.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                if byte != UInt8(ascii: "-") { return false }
            } else if !((byte >= 48 && byte <= 57) || (byte >= 97 && byte <= 102) || (byte >= 65 && byte <= 70)) {
                return false
            }
        }
        return true
    }
}

/// Absolute URLs: `scheme:` then something; for hierarchical schemes (`scheme://`) a host.
enum URLText {
    static func problem(in text: String) -> String? {
        guard let colon = text.firstIndex(of: ":") else { return "it has no scheme (like https:)" }
        let scheme = text[..<colon]
        guard let first = scheme.first, first.isASCII, first.isLetter,
            scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") })
        else { return "\"\(scheme)\" is not a URL scheme" }
        let rest = text[text.index(after: colon)...]
        if rest.isEmpty { return "nothing follows the scheme" }
        if text.contains(where: { $0 == " " || $0 == "\n" || $0 == "\t" }) { return "it contains whitespace" }
        if rest.hasPrefix("//") {
            let authority = rest.dropFirst(2).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            let host = authority.split(separator: "@").last ?? ""
            // file:///path has an empty host by design.
            if scheme.lowercased() != "file", host.isEmpty || host.hasPrefix(":") { return "it has no host" }
        }
        return nil
    }
}
