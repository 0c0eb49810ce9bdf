import Dispatch
import Foundation

/// Turns SIGINT (Ctrl-C) and SIGTERM into a request to stop at the next outer-iteration boundary,
/// where the checkpoint is complete. A second signal ends the process at once (the checkpoint of
/// the last completed iteration stays valid).
///
/// `terminating` signals are taken as SIGTERM: in an MPI job, SIGUSR1 and SIGUSR2, which Open MPI's
/// `mpirun` passes on to every rank without ending the job (it answers SIGTERM itself by killing the
/// ranks within about two seconds and exiting with 1), so that a run under mpirun can be stopped at an
/// iteration boundary with the usual exit status (docs/parallel.md).
final class SignalWatcher: @unchecked Sendable {
    private let terminating: [Int32]

    init(terminating: [Int32] = []) {
        self.terminating = terminating
    }

    private let lock = NSLock()
    private var sources: [DispatchSourceSignal] = []
    private var signalReceived: Int32?
    /// Called (once) when the first signal arrives, e.g. to print a message.
    var onFirstSignal: (@Sendable (Int32) -> Void)?
    /// Run before the process exits on a second signal (cleanup of temporary folders).
    var onForcedExit: (@Sendable () -> Void)?

    /// The signal received, if any.
    var received: Int32? { lock.withLock { signalReceived } }

    func start() {
        for sig in [SIGINT, SIGTERM] + terminating {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            let meaning = meaning(of: sig)
            source.setEventHandler { [weak self] in self?.handle(meaning) }
            source.resume()
            sources.append(source)
        }
    }

    /// What signal `sig` stands for: SIGTERM for the `terminating` ones, else itself.
    func meaning(of sig: Int32) -> Int32 { terminating.contains(sig) ? SIGTERM : sig }

    func stop() {
        for s in sources { s.cancel() }
        sources = []
        for sig in [SIGINT, SIGTERM] + terminating { signal(sig, SIG_DFL) }
    }

    private func handle(_ sig: Int32) {
        let first: Bool = lock.withLock {
            if signalReceived == nil {
                signalReceived = sig
                return true
            }
            return false
        }
        if first {
            onFirstSignal?(sig)
        } else {
            onForcedExit?()
            _exit(128 + sig)
        }
    }
}
