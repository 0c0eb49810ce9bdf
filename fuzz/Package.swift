// swift-tools-version: 6.0
// libFuzzer harnesses for Calibrate's readers, kept out of the main package so that a plain
// `swift build` / `swift test` never needs the fuzzer runtime. Build and run them with
// scripts/fuzz.sh (which passes -sanitize=fuzzer,address).
import PackageDescription

let harnesses = ["configuration", "case", "gmsh", "netcdf", "checkpoint"]

let package = Package(
    name: "CalibrateFuzz",
    products: harnesses.map { .executable(name: "fuzz-\($0)", targets: ["fuzz-\($0)"]) },
    dependencies: [.package(name: "Calibrate", path: "..")],
    targets: [.target(name: "FuzzDriver")] + harnesses.map { name in
        .executableTarget(name: "fuzz-\(name)",
                          dependencies: ["FuzzDriver",
                                         .product(name: "CaseRunner", package: "Calibrate"),
                                         .product(name: "NetCDF", package: "Calibrate"),
                                         .product(name: "Physics", package: "Calibrate"),
                                         .product(name: "Bilevel", package: "Calibrate")],
                          path: "Sources/\(name)")
    }
)
