// swift-tools-version: 6.0
// An example that is also a test: a bead-spring network (bond stretching + bond angles) calibrated
// through Calibrate's libraries, from a separate package that depends on the repository by path.
import PackageDescription

let package = Package(
    name: "BeadSpring",
    products: [.executable(name: "calibrate-beads", targets: ["calibrate-beads"])],
    dependencies: [.package(name: "Calibrate", path: "../..")],   // the repository root, whatever its folder is called
    targets: [
        .target(name: "BeadSpring", dependencies: [
            .product(name: "AutoDiff", package: "Calibrate"),
            .product(name: "Physics", package: "Calibrate"),
            .product(name: "Sparse", package: "Calibrate"),
            .product(name: "Bilevel", package: "Calibrate"),
            .product(name: "CaseRunner", package: "Calibrate"),
        ]),
        // The `calibrate` tool with the bead-spring kind registered.
        .executableTarget(name: "calibrate-beads", dependencies: [
            "BeadSpring",
            .product(name: "CaseRunner", package: "Calibrate"),
        ]),
        .testTarget(name: "BeadSpringTests", dependencies: ["BeadSpring"]),
    ]
)
