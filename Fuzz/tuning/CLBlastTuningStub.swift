// Stands in for Sources/SynapseOpenCL/CLBlastTuning.swift (which needs OpenCL) in the fuzz build:
// the tuner-file parser is an extension of this type and uses nothing else of it.
public struct CLBlastTuning {}
