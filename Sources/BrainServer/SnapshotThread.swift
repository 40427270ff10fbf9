import CBrainSystem

#if canImport(Glibc)
    import Glibc
#endif

/// The snapshot thread's priority.
enum SnapshotThread {
    /// The lowest CPU priority for the calling thread: the snapshot then uses what ingestion
    /// leaves idle instead of taking a core from it (it takes longer instead). The idle
    /// scheduling class where there is one (nice 19 still took ~10 % of the ingest rate on
    /// 2 cores), else nice 19.
    static func yieldToIngestion() {
        #if os(Linux)
            if cbrain_run_when_idle() != 0 {
                // On Linux the nice value is per thread, and `who` 0 means the calling thread.
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
            }
        #endif
    }
}
