/// The tool version, written into every evidence bundle's manifest.
public enum TenantWatchVersion {
    public static let string = "0.1.0"
}
