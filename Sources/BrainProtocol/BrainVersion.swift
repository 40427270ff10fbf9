public enum BrainVersion { public static let string = "0.1.0" }
