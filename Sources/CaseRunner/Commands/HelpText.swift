/// The text of `calibrate --help` and of each command's `--help`, with the tool's own name (`CalibrateTool.toolName`).
enum HelpText {
    static var general: String {
        let tool = CalibrateTool.toolName
        return """
        \(tool) — fit the parameters of physical models to netCDF data by differentiating through equilibria

        Usage: \(tool) [COMMAND] CASE [OPTIONS]

        Commands:
          run CASE          calibrate the case (the default when only a folder is given)
          check CASE        validate the configuration and the data against each other, listing every problem
          forward CASE      solve the model at given parameters and write the predictions and fields
          synth CASE        write synthetic observations from the model (how the bundled data are made)
          gradcheck CASE    Taylor test and finite-difference comparison of the gradient at the initial parameters
          regress [CASE…]   run cases and compare with their expected.json (default: every case under ./cases)

        A case is a folder holding case.json (docs/configuration.md), its netCDF data and, for meshes, a mesh.

        Options for every command:
          -h, --help        show help (\(tool) COMMAND --help for a command's options)
          -q, --quiet       no progress or informational messages (errors are still shown)
          --threads N       BLAS threads (default: CALIBRATE_THREADS, else all cores); results are
                            bit-for-bit reproducible for a fixed count
          -V, --version     print the version

        Exit status: 0 success; 1 calibration stopped short of a verified minimum (or a check failed);
        2 bad usage or bad input; 130/143 interrupted by SIGINT/SIGTERM (resume with --resume).
        """
    }

    static func text(for command: Command) -> String {
        let tool = CalibrateTool.toolName
        switch command {
        case .run:
            return """
                Usage: \(tool) run CASE [--out DIR] [--optimizer lm|lbfgs] [--max-iterations N] [--resume] [--jobs N] [--quiet] [--threads N]

                Calibrates the case and writes CASE/results/ (or DIR): results.nc, report.md, history.csv,
                plots/*.svg and fields/*.vtu|pvd. The folder appears only when complete; an existing one is
                replaced only on success.

                Options:
                  -o, --out DIR            output folder (default CASE/results)
                  --optimizer NAME         levenberg-marquardt (lm) or lbfgs; overrides the configuration
                  --max-iterations N       outer iteration limit; overrides the configuration
                  --resume                 continue an interrupted run from its checkpoint (CASE/.results.checkpoint);
                                           the result is the same, bit for bit, as an uninterrupted run
                  --force                  run even when the size estimated from the configuration exceeds the
                                           memory available
                  --jobs N                 evaluate the experiments on N threads (default: optimizer.jobs, else 1);
                                           the same results bit for bit at a fixed BLAS thread count
                  -q, --quiet              no progress lines
                  --threads N              BLAS threads (default: the cores divided among the jobs)

                Under mpirun (or srun), the experiments are spread over the ranks: mpirun -np 4 \(tool) run CASE
                (docs/parallel.md). Rank 0 runs the optimizer and writes every output.

                Progress goes to standard error, one line per outer iteration. Ctrl-C (or SIGTERM) stops at
                the end of the current iteration and keeps the checkpoint. Exit status 0 when converged, 1 when
                the optimizer stopped short of a verified minimum (stalled, a limit, a failure), 2 for bad input, 130/143 when interrupted.
                """
        case .check:
            return """
                Usage: \(tool) check CASE [--no-solve] [--force] [--refine [--set NAME=VALUE …]]

                Validates case.json and the data files against each other as `run` does: schema, unknown
                fields, parameter bounds, groups, dimensions, units (converting compatible ones), missing
                values and σ; then solves the model once at the initial parameters.
                  --no-solve               skip the forward solve
                  --force                  check a case whose size estimate exceeds the memory available
                  --refine                 also solve with the discretization refined once (mesh rows and columns
                                           doubled, time steps halved; a Gmsh mesh keeps its triangles) at the
                                           initial parameters (or --set ones), and report per observable the
                                           largest |change|/σ, which passes below 1/3 (exit status 1 otherwise)
                The size (atoms or triangles, unknowns, factor memory) is estimated from the configuration first,
                and a case that cannot fit in the memory available is refused unless --force is given.
                Lists every problem found as FILE[:LINE:COLUMN]: error|warning|note: MESSAGE. Exit status 0
                when valid, 2 otherwise.
                """
        case .forward:
            return """
                Usage: \(tool) forward CASE [--set NAME=VALUE …] [--out DIR]

                Solves every experiment at the initial parameters (changed by --set) and writes CASE/forward/
                (or DIR): predictions.nc (predicted observables, and observed and residuals when the data exist),
                fields/*.vtu|pvd and plots.

                Options:
                  --set NAME=VALUE         parameter value to use (repeatable)
                  -o, --out DIR            output folder (default CASE/forward)
                """
        case .synth:
            return """
                Usage: \(tool) synth CASE --truth NAME=VALUE … --noise REL [--seed N] [--out DIR]

                Writes the data file(s) the configuration names, from the model at the true parameters
                (--truth; others at their initial values, see --at-initial), with Gaussian noise of standard deviation
                REL × (largest |value| of each variable). σ variables named in the configuration are written
                with that standard deviation. The same seed gives the same file, bit for bit.

                Options:
                  --truth NAME=VALUE       true parameter value (repeatable)
                  --noise REL              relative noise level (0 for exact data; > 0 when σ variables are written)
                  --seed N                 random seed (default 0)
                  -o, --out DIR            write the files into DIR instead of the case folder
                  --at-initial             parameters without --truth take their initial values, even when this
                                           replaces existing data (without it, existing data are only replaced
                                           when every free parameter has a --truth)
                """
        case .gradcheck:
            return """
                Usage: \(tool) gradcheck CASE [--set NAME=VALUE …]

                At the initial parameters (changed by --set): compares the adjoint gradient and the sensitivity
                Jacobian with central finite differences, and runs the Taylor remainder test. Exit status 0
                when all agree, 1 otherwise.
                """
        case .regress:
            return """
                Usage: \(tool) regress [CASE …] [--update] [--jobs N]

                Calibrates each case (default: every folder under ./cases with an expected.json) into a
                temporary folder and compares the fitted parameters, misfit and iteration counts with the
                case's expected.json, within the tolerances stated there. --update rewrites expected.json
                from the results instead. --jobs N evaluates each case's experiments on N threads. Exit
                status 0 when every case matches, 1 otherwise.
                """
        }
    }
}
