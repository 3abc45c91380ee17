/// One member of a module: a child module, a parameter or a buffer.
public enum ModuleMember {
    case module(Module)
    case parameter(Parameter)
    case buffer(Buffer)

    /// The members found in `module`'s stored properties, superclass properties first.
    static func reflect(_ module: Module) -> [(name: String, member: ModuleMember)] {
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: module)
        while let current = mirror, current.subjectType != Module.self {
            mirrors.append(current)
            mirror = current.superclassMirror
        }
        var found: [(name: String, member: ModuleMember)] = []
        for mirror in mirrors.reversed() {
            for child in mirror.children {
                guard let label = child.label, !label.hasPrefix("$") else { continue }
                found += members(label, child.value)
            }
        }
        return found
    }

    private static func members(_ name: String, _ value: Any) -> [(name: String, member: ModuleMember)] {
        switch value {
        case let module as Module: return [(name, .module(module))]
        case let parameter as Parameter: return [(name, .parameter(parameter))]
        case let buffer as Buffer: return [(name, .buffer(buffer))]
        case let modules as [Module]: return modules.enumerated().map { ("\(name).\($0.offset)", .module($0.element)) }
        case let parameters as [Parameter]:
            return parameters.enumerated().map { ("\(name).\($0.offset)", .parameter($0.element)) }
        default: return []
        }
    }
}
