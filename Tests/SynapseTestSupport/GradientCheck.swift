// The gradient checks (central finite differences in Double) live in the SynapseConformance
// library, so every test target and `synapse check` use the same ones.
@_exported import SynapseConformance
