#include "synapse_registration.h"

// Defined in Swift (Sources/Synapse/BuiltInProviders.swift) with @_cdecl.
extern void synapse_register_builtin_providers(void);

// Runs before main: registers the CPU and OpenCL providers (no device is created or discovered here).
__attribute__((constructor)) static void synapse_registration(void) {
    synapse_register_builtin_providers();
}
