// swift-tools-version: 6.0
// Calibrate: fit physical-model parameters by differentiating through equilibria.
// Layering (dependencies point one way): C shims → wrappers (Sparse, NetCDF, MessagePassing) → Physics → Bilevel
// → CaseRunner → the `calibrate` executable.
import PackageDescription


let package = Package(
    name: "Calibrate",
    products: [
        .library(name: "Sparse", targets: ["Sparse"]),
        .library(name: "NetCDF", targets: ["NetCDF"]),
        .library(name: "AutoDiff", targets: ["AutoDiff"]),
        .library(name: "Physics", targets: ["Physics"]),
        .library(name: "Bilevel", targets: ["Bilevel"]),
        .library(name: "Reports", targets: ["Reports"]),
        .library(name: "CaseRunner", targets: ["CaseRunner"]),
        .executable(name: "calibrate", targets: ["calibrate"]),
        .executable(name: "calibrate-bench", targets: ["calibrate-bench"]),
    ],
    targets: [
        // System libraries from Debian 12 (see README: libsuitesparse-dev, libopenblas-dev, libmumps-seq-dev,
        // libnetcdf-dev, libopenmpi-dev).
        .systemLibrary(name: "CSuiteSparse", path: "Sources/CSuiteSparse",
                       providers: [.apt(["libsuitesparse-dev", "libopenblas-dev"])]),
        // MUMPS, sequential build (fake MPI): multifrontal LDLᵀ for saddle-point systems. No pkg-config
        // file exists for it; the module map names the libraries.
        .systemLibrary(name: "CMUMPS", path: "Sources/CMUMPS",
                       providers: [.apt(["libmumps-seq-dev"])]),
        .systemLibrary(name: "CNetCDF", path: "Sources/CNetCDF", pkgConfig: "netcdf",
                       providers: [.apt(["libnetcdf-dev"])]),
        .systemLibrary(name: "CNLopt", path: "Sources/CNLopt", pkgConfig: "nlopt",
                       providers: [.apt(["libnlopt-dev"])]),
        // Open MPI: experiments distributed over the ranks of an MPI job (see docs/parallel.md).
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev"])]),

        // Thin, throwing Swift wrappers: the only modules that call the C libraries.
        .target(name: "Sparse", dependencies: ["CSuiteSparse", "CMUMPS"]),
        .target(name: "NetCDF", dependencies: ["CNetCDF"]),
        .target(name: "MessagePassing", dependencies: ["CMPI"]),

        // Exact local derivatives (dual numbers), then models as sums of local terms and their equilibria.
        .target(name: "AutoDiff"),
        .target(name: "Physics", dependencies: ["AutoDiff", "Sparse"]),

        // Gradients through equilibria, parameter spaces, outer optimizers, uncertainty.
        .target(name: "Bilevel", dependencies: ["Physics", "AutoDiff", "Sparse", "CNLopt", "MessagePassing"]),

        // Report files: SVG plots, VTK fields, CSV and Markdown tables, atomic writes.
        .target(name: "Reports"),
        // Independent analytic reference solutions (Terzaghi, Mandel) for tests and verification plots.
        .target(name: "Verification"),

        // Case folders: configuration, data, the commands, outputs; and the command-line tool over them.
        .target(name: "CaseRunner", dependencies: ["Bilevel", "Physics", "NetCDF", "Reports", "Sparse", "MessagePassing"]),
        .executableTarget(name: "calibrate", dependencies: ["CaseRunner"]),

        .executableTarget(name: "calibrate-bench",
                          dependencies: ["Sparse", "CSuiteSparse", "Physics", "Bilevel", "Reports", "Verification", "CaseRunner"]),

        .testTarget(name: "SparseTests", dependencies: ["Sparse"]),
        .testTarget(name: "AutoDiffTests", dependencies: ["AutoDiff"]),
        .testTarget(name: "PhysicsTests", dependencies: ["Physics", "AutoDiff", "Sparse", "Verification"]),
        .testTarget(name: "BilevelTests", dependencies: ["Bilevel", "Physics", "AutoDiff", "Sparse", "MessagePassing"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports"]),
        .testTarget(name: "CaseRunnerTests", dependencies: ["CaseRunner", "NetCDF", "MessagePassing"]),
        .testTarget(name: "NetCDFTests", dependencies: ["NetCDF"],
                    resources: [.copy("Fixtures")]),
    ]
)
