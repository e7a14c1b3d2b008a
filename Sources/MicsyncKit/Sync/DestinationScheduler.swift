/// Runs the destinations of one run side by side where that is safe and faster (see the
/// README's "Several drives at once"):
///
/// 1. the previews (read-only dry runs) start together, at most `limit` at once;
/// 2. listings and questions come destination by destination in the configuration's order,
///    each as soon as its preview is done: every question is answered before anything is
///    written anywhere, so running out of input leaves every destination as it was;
/// 3. the accepted copies run at most `limit` at once, never two on one device (the location
///    folder's `st_dev`; a remote host counts as one device): one disc written in two places at
///    once seeks back and forth, slower, not faster.
///
/// Each destination's output is kept and printed as one block, in the configuration's order.
/// A destination that fails does not stop the others; an interrupted one (Ctrl-C) stops any
/// copy not yet started.
public struct DestinationScheduler: Sendable {
    let engine: Engine
    /// The terminal (or standard output and error).
    let console: Console
    let fileSystem: FileSystem
    /// At most this many previews, or copies, at once (1: one destination after another).
    let limit: Int
    /// Live progress lines, on a terminal.
    let board: ProgressBoard?
    /// Told of each destination as it ends, with whether the engine recorded it (`onFinished`);
    /// called one at a time, as the engine's `onFinished` is.
    public var onDestinationEnded: @Sendable (TransferSpec, Outcome, _ recorded: Bool) -> Void = { _, _, _ in }
    /// Whether Ctrl-C came (while any rsync ran): nothing more is asked or started.
    public var wasInterrupted: @Sendable () -> Bool = { false }
    /// The destinations `onFinished` was told of (their addresses), under the lock that
    /// serializes both callbacks.
    private let recorded = Locked(Set<String>())

    public init(engine: Engine, console: Console, fileSystem: FileSystem, limit: Int, showsProgress: Bool,
                clock: @escaping @Sendable () -> Double) {
        var serialized = engine
        let record = engine.onFinished
        let recorded = recorded
        // Destinations finish on their own threads; the history takes one line at a time.
        serialized.onFinished = { spec, totals, outcome in
            recorded.withLock { recorded in
                recorded.insert(spec.destination.address)
                record(spec, totals, outcome)
            }
        }
        self.engine = serialized
        self.console = console
        self.fileSystem = fileSystem
        self.limit = max(1, limit)
        self.board = showsProgress ? ProgressBoard(console: console, clock: clock) : nil
    }

    /// The worst outcome of the destinations.
    public func run(_ specs: [TransferSpec]) throws(CancelledError) -> Outcome {
        let previews = PreviewsInBackground(engine: engine, console: console, specs: specs, limit: limit)
        var answered: [AnsweredDestination] = []
        var worst = Outcome.done
        do throws(CancelledError) {
            for index in specs.indices {
                let previewed = previews.result(index)
                if wasInterrupted() {
                    worst = .interrupted
                    break
                }
                if case .finished(let outcome) = previewed.next {
                    worst = max(worst, outcome)
                    ended(previewed.spec, outcome)
                }
                if case .finished(.interrupted) = previewed.next { break }
                answered.append(try engine.ask(previewed))
            }
        } catch {
            previews.finish().forEach(engine.abandon)
            throw error
        }
        let all = previews.finish()
        if worst == .interrupted {
            // Ctrl-C during the previews: nothing is asked or copied; locks and lists are given up.
            all.forEach(engine.abandon)
            return .interrupted
        }
        return max(worst, applyAll(answered))
    }

    /// Stage 3 for every destination with something to apply.
    private func applyAll(_ answered: [AnsweredDestination]) -> Outcome {
        let work = answered.filter(\.applies)
        guard !work.isEmpty else { return .done }
        let devices = work.map { device(of: $0.spec.destination) }
        let blocks = work.map { _ in BufferedConsole(for: console) }
        if answered.count > 1 {
            for (block, destination) in zip(blocks, work) { Report(console: block, options: engine.options).resultsHeading(destination.spec) }
        }
        let outcomes = Locked([Outcome?](repeating: nil, count: work.count))
        let oneEnded = Signal()
        var running: [Int: WorkerThread] = [:]
        var pending = Array(work.indices)
        var printed = 0
        var stopped = false
        var worst = Outcome.done
        while !pending.isEmpty || !running.isEmpty {
            stopped = stopped || wasInterrupted()
            if !stopped {
                for index in pending where running.count < limit && !running.keys.contains(where: { devices[$0] == devices[index] }) {
                    let engine = engine.writing(to: blocks[index])
                    let destination = work[index]
                    let slot = board.map { ProgressSlot(board: $0, slot: index, name: work.count > 1 ? destination.spec.destination.displayName : "") }
                    running[index] = WorkerThread.start {
                        let outcome = engine.apply(destination, progress: slot)
                        outcomes.withLock { $0[index] = outcome }
                        oneEnded.signal()
                    }
                }
                pending.removeAll { running[$0] != nil }
            }
            if running.isEmpty { break }
            oneEnded.wait()
            let done = outcomes.withLock { $0 }
            for (index, thread) in running where done[index] != nil {
                thread.join()
                running[index] = nil
                worst = max(worst, done[index]!)
                ended(work[index].spec, done[index]!)
                if done[index] == .interrupted { stopped = true }
            }
            // Blocks in the configuration's order: each as soon as those before it are printed.
            while printed < work.count, done[printed] != nil {
                print(blocks[printed])
                printed += 1
            }
        }
        // Copies never started (the run was interrupted) are given up; the rest is printed.
        for index in pending { engine.abandon(work[index].previewed) }
        let done = outcomes.withLock { $0 }
        for index in printed..<work.count where done[index] != nil { print(blocks[index]) }
        return worst
    }

    private func ended(_ spec: TransferSpec, _ outcome: Outcome) {
        recorded.withLock { recorded in onDestinationEnded(spec, outcome, recorded.contains(spec.destination.address)) }
    }

    private func print(_ block: BufferedConsole) {
        if let board { board.print(block) } else { block.flush(to: console) }
    }

    /// What decides whether two copies may run side by side: the device of a local location
    /// folder, the host of a remote one (one connection, one disc or array behind it).
    func device(of location: Location) -> String {
        if let host = location.host { return "host " + host.host.lowercased() + ":" + String(host.port ?? 22) }
        if let device = fileSystem.device(of: location.path) { return "device \(device)" }
        return "folder " + location.path
    }
}

/// The previews of a run, made on threads of their own (at most `limit` at once), each into
/// its destination's block; `result` waits for one and prints its block.
final class PreviewsInBackground: Sendable {
    private let results: Locked<[DestinationPreview?]>
    private let ready: [Signal]
    private let blocks: [BufferedConsole]
    private let workers: [WorkerThread]
    private let console: Console

    init(engine: Engine, console: Console, specs: [TransferSpec], limit: Int) {
        let results = Locked([DestinationPreview?](repeating: nil, count: specs.count))
        let ready = specs.map { _ in Signal() }
        let blocks = specs.map { _ in BufferedConsole(for: console) }
        let next = Locked(0)
        self.results = results
        self.ready = ready
        self.blocks = blocks
        self.console = console
        self.workers = (0..<min(limit, specs.count)).map { _ in
            WorkerThread.start {
                while true {
                    let index = next.withLock { next in
                        defer { next += 1 }
                        return next
                    }
                    guard index < specs.count else { return }
                    let previewed = engine.writing(to: blocks[index]).preview(specs[index])
                    results.withLock { $0[index] = previewed }
                    ready[index].signal()
                }
            }
        }
    }

    /// The preview of destination `index`, its block printed; waits for it.
    func result(_ index: Int) -> DestinationPreview {
        ready[index].wait()
        blocks[index].flush(to: console)
        return results.withLock { $0[index]! }
    }

    /// Waits for every preview; all of them (a lock each holds is released with it).
    func finish() -> [DestinationPreview] {
        workers.forEach { $0.join() }
        return results.withLock { $0.compactMap { $0 } }
    }
}
