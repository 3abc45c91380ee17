// Open MPI's C API (Debian: libopenmpi-dev; pkg-config ompi-c), plus wrappers for what Swift cannot
// import: MPI's handles and constants are macros (casts of addresses of library globals), so each
// one is returned from a static inline function here.
#ifndef CSYNAPSE_MPI_SHIM_H
#define CSYNAPSE_MPI_SHIM_H
#include <mpi.h>

/// Every process of the job.
static inline MPI_Comm synapse_mpi_comm_world(void) { return MPI_COMM_WORLD; }
/// The communicator handle that means "none" (what MPI_Comm_split_type may return).
static inline MPI_Comm synapse_mpi_comm_null(void) { return MPI_COMM_NULL; }

/// 32-bit IEEE floats, Swift's Float.
static inline MPI_Datatype synapse_mpi_float(void) { return MPI_FLOAT; }
/// Element-wise sum, the reduction of a gradient allreduce.
static inline MPI_Op synapse_mpi_sum(void) { return MPI_SUM; }
/// Send buffer of a collective that reduces in place in the receive buffer.
static inline void *synapse_mpi_in_place(void) { return MPI_IN_PLACE; }

/// The default error handler: any error, including a peer that died, aborts the whole job.
static inline MPI_Errhandler synapse_mpi_errors_are_fatal(void) { return MPI_ERRORS_ARE_FATAL; }
/// The handler that makes MPI calls return error codes instead.
static inline MPI_Errhandler synapse_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }

/// What a successful call returns.
static inline int synapse_mpi_success(void) { return MPI_SUCCESS; }
/// Buffer size MPI_Error_string needs.
static inline int synapse_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
/// Split type that groups the processes sharing a machine's memory (gives the local rank).
static inline int synapse_mpi_comm_type_shared(void) { return MPI_COMM_TYPE_SHARED; }
/// MPI_UNDEFINED (no colour or key).
static inline int synapse_mpi_undefined(void) { return MPI_UNDEFINED; }
/// MPI_INFO_NULL.
static inline MPI_Info synapse_mpi_info_null(void) { return MPI_INFO_NULL; }

/// Thread levels, in increasing order: one thread; only the main thread calls MPI; any thread,
/// one at a time; any thread, concurrently.
static inline int synapse_mpi_thread_single(void) { return MPI_THREAD_SINGLE; }
static inline int synapse_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
static inline int synapse_mpi_thread_serialized(void) { return MPI_THREAD_SERIALIZED; }
static inline int synapse_mpi_thread_multiple(void) { return MPI_THREAD_MULTIPLE; }

#endif
