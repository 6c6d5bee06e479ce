#if canImport(Glibc)
import Glibc
#endif

/// Process-wide allocator settings for long batch runs.
public enum MemoryTuning {
    /// Fixes glibc's mmap threshold at `mmap` bytes and its trim threshold at `trim` bytes, and uses at most `arenas`
    /// malloc arenas (`mallopt` M_MMAP_THRESHOLD, M_TRIM_THRESHOLD, M_ARENA_MAX, looked up with `dlsym` because
    /// `<malloc.h>` is not part of Swift's Glibc module).
    ///
    /// By default glibc raises the mmap threshold after the first large `free`, so later tile-sized planes came from
    /// per-thread arenas that keep their pages; RSS then crept up with the number of whole tiles read. A fixed
    /// threshold keeps larger buffers (a 1024² whole tile's planes, a scene's far more) in their own mappings,
    /// returned to the system when freed, so peak RSS stays at `max_in_flight × tile working set`.
    ///
    /// The threshold sits above the buffers of one window (the default 512² window: 1 MiB per Float32 plane, 3 MiB
    /// of decoded 6-band UInt16 samples), and the trim threshold keeps freed arena memory for the next window: with a
    /// 1 MiB threshold every window plane was mapped, zero-filled page by page and unmapped again (NDVI job: 54k page
    /// faults, 0.17 s of system time; now 7k, 0.07 s). It also sits above a quicklook's buffers (a 1024-pixel map's
    /// 4 MiB of Float32 samples, its 4.8 MB RGBA canvas), which with a 4 MiB threshold were mapped and faulted in
    /// again for every tile: 8 MiB cut the full bench job's page faults by a quarter and its time by 3.5 % ± 1.3 %
    /// (20 alternated pairs), for 5 % more peak RSS. Two arenas keep what the arenas hold to about the windows in
    /// flight: the full job's peak RSS grows 4–6 % from 8 to 16 tiles with them, 14 % with one arena per thread
    /// (docs/performance.md). Returns false where unavailable (non-glibc systems).
    @discardableResult
    public static func fixThresholds(mmap: Int32 = 8 << 20, trim: Int32 = 16 << 20, arenas: Int32 = 2) -> Bool {
        #if canImport(Glibc)
        let M_TRIM_THRESHOLD: Int32 = -1, M_MMAP_THRESHOLD: Int32 = -3, M_ARENA_MAX: Int32 = -8   // <malloc.h>
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let mallopt = unsafeBitCast(sym, to: Mallopt.self)
        return mallopt(M_MMAP_THRESHOLD, mmap) == 1 && mallopt(M_TRIM_THRESHOLD, trim) == 1 && mallopt(M_ARENA_MAX, arenas) == 1
        #else
        return false
        #endif
    }
}
