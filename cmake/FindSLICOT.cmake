# Finds SLICOT (Debian: libslicot-dev), a Fortran library that ships no headers: the routines
# ssmscope calls are declared in analysis/slicot.hpp. Defines the imported target SLICOT::SLICOT,
# which also brings LAPACK, BLAS and the gfortran runtime.
find_library(SLICOT_LIBRARY NAMES slicot)
find_package(LAPACK QUIET)
find_library(SLICOT_GFORTRAN_LIBRARY NAMES gfortran libgfortran.so.5)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(SLICOT REQUIRED_VARS SLICOT_LIBRARY LAPACK_FOUND
                                  SLICOT_GFORTRAN_LIBRARY)

if(SLICOT_FOUND AND NOT TARGET SLICOT::SLICOT)
  add_library(SLICOT::SLICOT UNKNOWN IMPORTED)
  set_target_properties(SLICOT::SLICOT PROPERTIES IMPORTED_LOCATION "${SLICOT_LIBRARY}")
  target_link_libraries(SLICOT::SLICOT INTERFACE ${LAPACK_LIBRARIES} ${SLICOT_GFORTRAN_LIBRARY})
endif()
mark_as_advanced(SLICOT_LIBRARY SLICOT_GFORTRAN_LIBRARY)
