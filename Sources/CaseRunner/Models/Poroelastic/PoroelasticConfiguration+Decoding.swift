import Physics

/// Reading a poroelastic model from case.json: the mesh, materials, boundary conditions and time stepping.
extension PoroelasticConfiguration {
    static let conditionTypes = ["roller", "fixed", "drained", "traction", "displacement", "rigid_plate"]

    public static func decode(_ r: ObjectReader, registry: ModelRegistry) -> PoroelasticConfiguration? {
        let d = r.diagnostics
        var mesh: PoroelasticConfiguration.Mesh?
        if let m = r.object("mesh", context: "the mesh of the model", known: ["rectangle", "gmsh"], required: true,
                            hint: "give {\"rectangle\": {…}} or {\"gmsh\": \"file.msh\"}") {
            if let file = m.string("gmsh") {
                mesh = .gmsh(file)
                if m.has("rectangle") { d.error("the mesh gives both 'rectangle' and 'gmsh'; use one", at: m.position) }
            } else if let rect = m.object("rectangle", context: "the rectangle mesh",
                                          known: ["width", "height", "columns", "rows", "grading_x", "grading_y"], required: true,
                                          hint: "give {\"rectangle\": {\"width\", \"height\", \"columns\", \"rows\"}} or {\"gmsh\": \"file.msh\"}") {
                let w = rect.number("width", required: true), h = rect.number("height", required: true)
                let c = rect.integer("columns", required: true), rows = rect.integer("rows", required: true)
                let gx = rect.number("grading_x") ?? 1, gy = rect.number("grading_y") ?? 1
                rect.finish()
                if let w, let h, let c, let rows {
                    if !(w > 0 && h > 0) { d.error("the rectangle needs width > 0 and height > 0 (m)", at: rect.position) }
                    else if c < 1 || rows < 1 { d.error("the rectangle needs columns ≥ 1 and rows ≥ 1", at: rect.position) }
                    else if !(gx > 0 && gy > 0) { d.error("grading_x and grading_y must be > 0", at: rect.position) }
                    else { mesh = .rectangle(width: w, height: h, columns: c, rows: rows, gradingX: gx, gradingY: gy) }
                }
            }
            m.finish()
        }
        var laws: [String: PermeabilityLaw] = [:]
        if let m = r.object("materials", context: "materials", known: []), case let .object(members) = m.node.value {
            for member in members {
                guard let reg = ObjectReader(member.value, context: "material '\(member.key)'", known: ["permeability_law", "reference_porosity"],
                                             diagnostics: d) else { continue }
                let law = reg.choice("permeability_law", ["constant", "kozeny_carman"]) ?? "constant"
                if law == "kozeny_carman" {
                    if let n0 = reg.number("reference_porosity", required: true, hint: "the Kozeny–Carman law needs the porosity φ₀ (0 < φ₀ < 1)") {
                        if n0 > 0 && n0 < 1 { laws[member.key] = .kozenyCarman(referencePorosity: n0) }
                        else { d.error("reference_porosity must lie in (0, 1), found \(n0)", at: reg.position(of: "reference_porosity")) }
                    }
                } else { laws[member.key] = .constant }
                reg.finish()
            }
        }
        var conditions: [PoroelasticConfiguration.Condition] = []
        if let list = r.array("boundary_conditions", required: true, hint: "list the conditions of the boundaries (roller, fixed, drained, traction, …)") {
            for node in list {
                if let c = decodeCondition(node, diagnostics: d) { conditions.append(.init(condition: c, position: node.position)) }
            }
        }
        var times: [Double]?
        if let t = r.object("time_stepping", context: "the time stepping", known: ["time_step", "steps", "times", "start"], required: true,
                            hint: "give {\"time_step\": Δt, \"steps\": N} or {\"times\": [t0, t1, …]} in s") {
            if let list = t.numbers("times") {
                if t.has("time_step") || t.has("steps") { d.error("the time stepping gives both 'times' and 'time_step'/'steps'; use one", at: t.position) }
                if list.count < 2 || zip(list, list.dropFirst()).contains(where: { !($1 > $0) }) {
                    d.error("'times' must list at least two strictly increasing times (s), the first being the undrained response", at: t.position(of: "times"))
                } else { times = list }
            } else {
                let dt = t.number("time_step", required: true, hint: "give the time step in s, or 'times'")
                let n = t.integer("steps", required: true, hint: "give the number of steps")
                let start = t.number("start") ?? 0
                if let dt, let n {
                    if !(dt > 0) { d.error("'time_step' must be > 0, found \(dt)", at: t.position(of: "time_step")) }
                    else if n < 1 { d.error("'steps' must be ≥ 1, found \(n)", at: t.position(of: "steps")) }
                    else { times = (0 ... n).map { start + Double($0) * dt } }
                }
            }
            t.finish()
        }
        let newton: NewtonOptions? = r.has("newton") ? ModelSection.newton(r) : nil
        r.finish()
        guard let mesh, let times else { return nil }
        return PoroelasticConfiguration(mesh: mesh, meshPosition: r.position(of: "mesh"), permeabilityLaws: laws,
                                        conditions: conditions, times: times, newton: newton)
    }

    private static func component(_ r: ObjectReader, _ key: String) -> Int? {
        guard let c = r.choice(key, ["x", "y"], required: true) else { return nil }
        return c == "x" ? 0 : 1
    }

    private static func history(_ r: ObjectReader) -> LoadHistory? {
        guard let h = r.object("history", context: "the load history", known: ["step", "ramp", "table"]) else { return .constant }
        defer { h.finish() }
        if let t0 = h.number("step") { return .step(at: t0) }
        if let ramp = h.object("ramp", context: "the ramp", known: ["start", "duration"]) {
            let start = ramp.number("start") ?? 0, duration = ramp.number("duration", required: true, hint: "give the ramp's duration in s")
            ramp.finish()
            guard let duration else { return nil }
            guard duration > 0 else { h.diagnostics.error("a ramp's duration must be > 0, found \(duration); use {\"step\": t} for a sudden load", at: ramp.position); return nil }
            return .ramp(start: start, duration: duration)
        }
        if let table = h.object("table", context: "the load table", known: ["times", "values"]) {
            let times = table.numbers("times", required: true), values = table.numbers("values", required: true)
            table.finish()
            guard let times, let values else { return nil }
            guard !times.isEmpty, times.count == values.count, zip(times, times.dropFirst()).allSatisfy({ $0 < $1 }) else {
                h.diagnostics.error("a load table needs as many 'values' as 'times' (at least one), with strictly increasing times", at: table.position)
                return nil
            }
            return .table(times: times, values: values)
        }
        h.diagnostics.error("the load history must be {\"step\": t}, {\"ramp\": {\"start\", \"duration\"}} or {\"table\": {\"times\", \"values\"}}", at: h.position)
        return nil
    }

    private static func decodeCondition(_ node: JSONNode, diagnostics d: DiagnosticList) -> PoroBoundaryCondition? {
        guard let c = ObjectReader(node, context: "a boundary condition",
                                   known: ["boundary", "type", "component", "value", "pressure", "traction", "force", "history"], diagnostics: d)
        else { return nil }
        defer { c.finish() }
        let boundary = c.string("boundary", required: true, hint: "name the mesh boundary (rectangle: bottom, right, top, left)")
        guard let type = c.choice("type", conditionTypes, required: true), let boundary else { return nil }
        switch type {
        case "roller":
            guard let k = component(c, "component") else { return nil }
            return .roller(boundary, component: k)
        case "fixed":
            return .fixed(boundary: boundary)
        case "drained":
            return .drained(boundary: boundary, pressure: c.number("pressure") ?? 0)
        case "traction":
            guard let t = c.numbers("traction", required: true, hint: "give [tx, ty] in Pa") else { return nil }
            guard t.count == 2 else { d.error("'traction' needs 2 components [tx, ty] (Pa), found \(t.count)", at: c.position(of: "traction")); return nil }
            guard let h = history(c) else { return nil }
            return .traction(boundary: boundary, traction: SIMD2(t[0], t[1]), history: h)
        case "displacement":
            guard let k = component(c, "component"), let v = c.number("value", required: true, hint: "give the displacement in m"),
                  let h = history(c) else { return nil }
            return .displacement(boundary: boundary, component: k, value: v, history: h)
        default:
            guard let k = component(c, "component"), let f = c.number("force", required: true, hint: "give the plate's force per unit thickness in N/m"),
                  let h = history(c) else { return nil }
            return .rigidPlate(boundary: boundary, component: k, force: f, history: h)
        }
    }
}
