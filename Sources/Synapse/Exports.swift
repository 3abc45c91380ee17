// The umbrella module: `import Synapse` brings in the whole framework.
@_exported import SynapseBackend
@_exported import SynapseCPU
@_exported import SynapseOpenCL
@_exported import SynapseCore
@_exported import SynapseNN
@_exported import SynapseOptimizers
@_exported import SynapseIO
@_exported import SynapseData
@_exported import SynapseModels
