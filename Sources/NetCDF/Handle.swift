import CNetCDF

/// Owns one open netCDF id and closes it exactly once: by `close()`, or else when released.
///
/// The id is forgotten before `nc_close` runs, so a failing close is never retried and a closed
/// id (which netCDF-C may hand out again to another file) is never used or closed twice.
final class NCHandle {
    /// The path reported in errors: what the caller asked for (for a writer, the final path).
    let path: String
    private var ncid: Int32?

    init(ncid: Int32, path: String) {
        self.ncid = ncid
        self.path = path
    }

    var isOpen: Bool { ncid != nil }

    /// The open id; `.closed` once the handle has been closed.
    func id() throws(NetCDFError) -> Int32 {
        guard let ncid else { throw .closed(path: path) }
        return ncid
    }

    /// Runs one C call with the open id; a failing status becomes a `NetCDFError`.
    func call(_ operation: NCOperation, _ body: (Int32) -> Int32) throws(NetCDFError) {
        let ncid = try id()
        try NetCDFLibrary.call(path, operation) { body(ncid) }
    }

    /// Closes the id; later calls fail with `.closed`. Closing twice is harmless.
    func close() throws(NetCDFError) {
        guard let ncid else { return }
        self.ncid = nil
        try NetCDFLibrary.call(path, .close) { nc_close(ncid) }
    }

    deinit {
        if let ncid { NetCDFLibrary.closeDiscardingStatus(ncid) }
    }
}
