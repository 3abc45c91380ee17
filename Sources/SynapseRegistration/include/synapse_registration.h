// Swift has no module initialisers: this C target registers the built-in device providers when
// the program loads, so `import Synapse` is all a program needs before it creates tensors.
#pragma once
