#if canImport(Glibc)
import Glibc
#endif

/// Process-wide allocator settings for long batch runs.
public enum MemoryTuning {
    /// Fixes glibc's mmap threshold at `bytes` (calls `mallopt(M_MMAP_THRESHOLD, bytes)`, looked up with `dlsym`
    /// because `<malloc.h>` is not part of Swift's Glibc module).
    ///
    /// Tile planes are megabytes each. By default glibc raises the threshold after the first large `free`, so later
    /// planes come from per-thread arenas that keep their pages; RSS then creeps up with the number of tiles. With
    /// a fixed threshold every plane is its own mapping and is returned to the system when freed, so peak RSS stays
    /// at `max_in_flight × tile working set`. Returns false where unavailable (non-glibc systems).
    @discardableResult
    public static func fixMmapThreshold(bytes: Int32 = 1 << 20) -> Bool {
        #if canImport(Glibc)
        let M_MMAP_THRESHOLD: Int32 = -3   // <malloc.h>
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        return unsafeBitCast(sym, to: Mallopt.self)(M_MMAP_THRESHOLD, bytes) == 1
        #else
        return false
        #endif
    }
}
