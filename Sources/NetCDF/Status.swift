import CNetCDF
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a netCDF-C call was doing; decides which `NetCDFError` a failing status becomes.
enum NCOperation: CustomStringConvertible {
    case open
    case create
    case inquire
    case read(variable: String)
    case readAttribute(variable: String?, attribute: String)
    case define(name: String)
    case write(variable: String)
    case close

    var description: String {
        switch self {
        case .open: "opening"
        case .create: "creating"
        case .inquire: "reading the header"
        case let .read(variable): "reading variable '\(variable)'"
        case let .readAttribute(variable, attribute):
            "reading attribute '\(attribute)'" + (variable.map { " of variable '\($0)'" } ?? "")
        case let .define(name): "defining '\(name)'"
        case let .write(variable): "writing variable '\(variable)'"
        case .close: "closing"
        }
    }

    /// Reading operations, where a low-level I/O or HDF5 failure means the file itself is bad.
    var readsFile: Bool {
        switch self {
        case .open, .inquire, .read, .readAttribute: true
        default: false
        }
    }
}

/// The one gateway to netCDF-C: every `nc_*` call goes through here.
///
/// netCDF-C 4.9 (and the serial HDF5 under it) is not thread-safe, not even across different
/// files, so all calls in the process are serialised by one lock. This is also the only place
/// that turns a status code into a thrown error; no other code looks at `nc_strerror`.
enum NetCDFLibrary {
    private static let lock = Mutex(())

    /// Runs one C call under the process-wide lock; a non-zero status becomes a `NetCDFError`.
    static func call(_ path: String, _ operation: NCOperation, _ body: () -> Int32) throws(NetCDFError) {
        let (status, message) = lock.withLock { _ -> (Int32, String?) in
            switch operation {
            case .open, .create: silenceHDF5Diagnostics()
            default: break
            }
            let status = body()
            // nc_strerror may fall back to strerror() for errno values, so read it under the lock too.
            return (status, status == NC_NOERR ? nil : String(cString: nc_strerror(status)))
        }
        if let message {
            throw error(status: status, message: message, path: path, operation: operation)
        }
    }

    /// Closes an id from a `deinit`, where nothing can be thrown.
    ///
    /// The status is deliberately dropped: the owner is going away, so there is nobody left to
    /// tell, the id is released by netCDF-C either way, and an unfinished writer's temporary file
    /// is deleted right after this.
    static func closeDiscardingStatus(_ ncid: Int32) {
        _ = lock.withLock { _ in nc_close(ncid) }
    }

    /// Turns off HDF5's printing of its error stack to stderr.
    ///
    /// Opening a damaged netCDF-4 file otherwise dumps dozens of "HDF5-DIAG" lines before our own
    /// error message; the status netCDF-C returns already says what failed. HDF5 is loaded as
    /// netCDF-C's dependency but its header is not part of the CNetCDF module, hence the lookup
    /// by name. If the symbol is absent, nothing changes but the noise.
    private static func silenceHDF5Diagnostics() {
        #if os(Linux)
        typealias SetAuto = @convention(c) (Int64, UnsafeRawPointer?, UnsafeMutableRawPointer?) -> Int32
        guard let symbol = dlsym(nil, "H5Eset_auto2") else { return }  // nil handle: RTLD_DEFAULT
        // H5Eset_auto2(H5E_DEFAULT, NULL, NULL); the herr_t result only says whether it worked.
        _ = unsafeBitCast(symbol, to: SetAuto.self)(0, nil, nil)
        #endif
    }

    private static func error(status: Int32, message: String, path: String,
                              operation: NCOperation) -> NetCDFError {
        switch operation {
        case .open where status == ENOENT:
            return .missingFile(path: path)
        case .open where status == NC_ENOTNC:
            return .notNetCDF(path: path)
        case .open where accessErrnos.contains(status):
            return .cannotOpen(path: path, reason: message)
        case .open where status > 0:
            // Any other errno comes from parsing bytes netCDF-C could read (e.g. EINVAL for an
            // impossible classic header), so the file itself is bad.
            return .corruptFile(path: path, detail: message)
        case .create where status > 0:
            return .cannotCreate(path: path, reason: message)
        case _ where operation.readsFile && corruptionStatuses.contains(status):
            return .corruptFile(path: path, detail: message)
        default:
            return .library(path: path, operation: operation.description, code: status, message: message)
        }
    }

    /// errno values (positive statuses) meaning the file could not be reached, not that it is bad.
    private static let accessErrnos: Set<Int32> = [
        EACCES, EPERM, EISDIR, ENOTDIR, ELOOP, ENAMETOOLONG, EMFILE, ENFILE, EBUSY, ETXTBSY,
    ]

    /// Statuses that, while reading, mean the bytes on disk are not a consistent netCDF file.
    private static let corruptionStatuses: Set<Int32> = [
        NC_ETRUNC, NC_EHDFERR, NC_EIO, NC_EFILEMETA, NC_EDIMMETA, NC_EATTMETA, NC_EVARMETA,
        NC_ENULLPAD, NC_ENOTNC, NC_EINVALCOORDS, NC_EBADDIM, NC_EBADTYPE, NC_EVARSIZE,
        NC_EDIMSIZE, NC_ECANTREAD, NC_EINVAL,
    ]
}
