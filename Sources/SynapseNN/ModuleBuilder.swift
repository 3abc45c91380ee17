import SynapseCore

/// Builds the layer list of a `Sequential`: `if`, `if/else` and `for` inside the block add their
/// layers in place, and an expression of type `[Module]` adds all of its layers.
@resultBuilder
public enum ModuleBuilder {
    public static func buildExpression(_ module: Module) -> [Module] { [module] }
    public static func buildExpression(_ modules: [Module]) -> [Module] { modules }
    public static func buildBlock(_ parts: [Module]...) -> [Module] { parts.flatMap { $0 } }
    public static func buildOptional(_ part: [Module]?) -> [Module] { part ?? [] }
    public static func buildEither(first: [Module]) -> [Module] { first }
    public static func buildEither(second: [Module]) -> [Module] { second }
    public static func buildArray(_ parts: [[Module]]) -> [Module] { parts.flatMap { $0 } }
    public static func buildLimitedAvailability(_ part: [Module]) -> [Module] { part }
}
