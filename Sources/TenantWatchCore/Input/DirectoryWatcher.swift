#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// inotify on the directories a follower reads from: a wake-up signal, not a source of truth.
///
/// One watch per directory covers everything tail -F needs: a directory watch also reports
/// `IN_MODIFY` for the files inside it, plus creation, renames and deletion. The follower still
/// stats and reads after each wake-up, so a missed or coalesced event costs latency (the poll
/// interval), never a line. Where inotify is unavailable (not Linux, out of watches, a network
/// file system that never reports) the follower polls.
final class DirectoryWatcher {
    let fileDescriptor: Int32
    private var watched: [String: Int32] = [:]
    private var buffer = [UInt8](repeating: 0, count: 64 << 10)

    private static let mask: UInt32 = UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE
        | IN_ATTRIB | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF)

    init?() {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        fileDescriptor = fd
    }

    deinit { close(fileDescriptor) }

    /// Watches `directory` unless already watched; false when the kernel refuses (it may not exist
    /// yet: the follower tries again on its next scan).
    @discardableResult
    func watch(directory: String) -> Bool {
        if watched[directory] != nil { return true }
        let wd = inotify_add_watch(fileDescriptor, directory, DirectoryWatcher.mask)
        guard wd >= 0 else { return false }
        watched[directory] = wd
        return true
    }

    /// What a drain saw: any event at all, and whether names changed (a file created, renamed or
    /// deleted), which warrants a rescan at once rather than at the next poll interval.
    struct Activity {
        var any = false
        var namesChanged = false
    }

    /// Reads every queued event. A watched directory that was itself removed is forgotten, so it
    /// is watched again once re-created.
    func drain() -> Activity {
        var activity = Activity()
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            activity.any = true
            var offset = 0
            buffer.withUnsafeBytes { raw in
                while offset + MemoryLayout<inotify_event>.size <= n {
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    if event.mask & UInt32(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE) != 0 {
                        activity.namesChanged = true
                    }
                    if event.mask & UInt32(IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF) != 0 {
                        watched = watched.filter { $0.value != event.wd }
                    }
                    offset += MemoryLayout<inotify_event>.size + Int(event.len)
                }
            }
        }
        return activity
    }
}
