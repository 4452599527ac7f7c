import TenantWatchCore

/// Staff access in the exposure table (`E`): incidents that only record privileged access
/// (`privileged_access`: support staff, administrators with verified tokens) are listed under a
/// heading of their own below the leaks, never counted as exposure.
extension ExposureView {
    enum Line: Equatable {
        case pair(Pair, staff: Bool)
        case heading
    }

    static let staffHeading = "Staff access (privileged, verified; not leaks): staff tenant → tenant touched"

    static func isStaffAccess(_ i: IncidentSummary) -> Bool {
        !i.kinds.isEmpty && i.kinds.allSatisfy { $0 == .privilegedAccess }
    }

    /// The table's lines: leak pairs, then (when any) the heading and the staff-access pairs.
    static func lines(_ list: [IncidentSummary]) -> [Line] {
        let staff = pairs(list, staff: true)
        return pairs(list).map { .pair($0, staff: false) } + (staff.isEmpty ? [] : [.heading] + staff.map { .pair($0, staff: true) })
    }
}
