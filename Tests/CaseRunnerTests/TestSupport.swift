import CaseRunner
import Foundation
import Testing

/// Runs the `calibrate` tool in-process; returns the exit status and what it printed.
func calibrate(_ arguments: String...) -> (status: Int32, out: String, err: String) {
    calibrate(arguments)
}

func calibrate(_ arguments: [String]) -> (status: Int32, out: String, err: String) {
    let (console, captured) = Console.capturing()
    let status = CalibrateTool.main(arguments, console: console)
    return (status, captured.standardOutput, captured.standardError)
}

/// A fresh temporary folder, removed when the value is released.
final class TemporaryFolder {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.path + "/calibrate-test-\(getpid())-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ text: String, to name: String) {
        let full = path + "/" + name
        try! FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! text.write(toFile: full, atomically: true, encoding: .utf8)
    }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path + "/" + name) }
    func read(_ name: String) -> Data? { FileManager.default.contents(atPath: path + "/" + name) }

    /// Names in the folder, hidden ones included, sorted.
    var contents: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
}

/// The repository's root (for the bundled cases), found from this file's real location.
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    url.deleteLastPathComponent()  // CaseRunnerTests
    url.deleteLastPathComponent()  // Tests
    url.deleteLastPathComponent()
    return url.path
}()

/// A small version of the bundled lattice case: 4 × 3 cells (24 atoms), the bottom row held, the top
/// row pulled; `forces: false` leaves out the reaction force.
func smallLatticeCase(forces: Bool = true, optimizer: String = "levenberg-marquardt") -> String {
    let force = forces ? """
        ,
                {"quantity": "reaction_force", "group": "top", "variable": "reaction_force",
                 "dimensions": ["force_component"], "sigma": {"variable": "reaction_force_sigma"}}
        """ : ""
    return """
        {
          "schema_version": 1,
          "title": "small lattice",
          "data": "observations.nc",
          "model": {
            "kind": "lattice",
            "lattice": "triangular",
            "cells": [4, 3],
            "lattice_constant": 2.5,
            "periodic": [false, false],
            "potential": "morse",
            "cutoff": {"inner": 3.75, "outer": 4.75},
            "skin": 0.75,
            "units": {"length": "angstrom", "energy": "eV"}
          },
          "parameters": [
            {"name": "D", "initial": 0.28, "lower": 0.01, "upper": 10, "transform": "log"},
            {"name": "alpha", "initial": 1.55, "lower": 0.4, "upper": 4},
            {"name": "r0", "initial": 2.47, "lower": 2.3, "upper": 2.7}
          ],
          "experiments": [
            {
              "name": "pull",
              "loading": {
                "constraints": [
                  {"group": "bottom", "fixed": true},
                  {"group": "top", "displacement": [0.2, 0.5]}
                ]
              },
              "observables": [
                {"quantity": "displacement", "atoms": "unconstrained", "variable": "u",
                 "dimensions": ["atom", "component"], "sigma": {"variable": "u_sigma"}}\(force)
              ]
            }
          ],
          "optimizer": {"method": "\(optimizer)"},
          "uncertainty": {"error_scale": "absolute"}
        }
        """
}

/// A temporary folder holding the small lattice case and its synthetic data.
func preparedSmallCase(forces: Bool = true, optimizer: String = "levenberg-marquardt") -> TemporaryFolder {
    let folder = TemporaryFolder()
    folder.write(smallLatticeCase(forces: forces, optimizer: optimizer), to: "case.json")
    let synth = calibrate("synth", folder.path, "--truth", "D=0.35", "--truth", "alpha=1.4", "--truth", "r0=2.5",
                          "--noise", "0.01", "--seed", "4", "--quiet")
    #expect(synth.status == 0, "\(synth.err)")
    return folder
}

/// Whether two results.nc files hold the same data and attributes, every number to the last bit
/// (ncdump -p 9,17 prints floats and doubles round-trip exactly), apart from the command line that
/// made them (the `history` and `command_line` attributes): for runs whose command lines differ,
/// such as a resumed run and its uninterrupted reference.
func sameResultsApartFromTheCommandLine(_ a: String, _ b: String) throws -> Bool {
    func dump(_ path: String) throws -> [Substring] {
        let program = try #require(["/usr/bin/ncdump", "/usr/local/bin/ncdump"].first { FileManager.default.isExecutableFile(atPath: $0) },
                                   "ncdump is not installed (Debian netcdf-bin; see scripts/setup.sh)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = ["-p", "9,17", path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains(":history = ") && !$0.contains(":command_line = ") }
    }
    return try dump(a) == dump(b)
}

/// A bundled case copied into a temporary folder (without any earlier outputs).
func copiedCase(_ name: String) -> TemporaryFolder {
    let folder = TemporaryFolder()
    let source = repositoryRoot + "/cases/" + name
    for file in (try? FileManager.default.contentsOfDirectory(atPath: source)) ?? [] where !["results", "forward"].contains(file) && !file.hasPrefix(".") {
        try! FileManager.default.copyItem(atPath: source + "/" + file, toPath: folder.path + "/" + file)
    }
    return folder
}
