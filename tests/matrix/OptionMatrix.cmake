# The option matrix's logic (tests/matrix/option_matrix.h and friends), one
# library used by the test binary strata_matrix_test and by the
# tools/option_matrix program; included from tests/ and tools/, defined once.
# RocksDB's sst_dump checks that RocksDB accepts the SSTs strata wrote
# (rocksdb-tools, a test-only package); rows say so when it is missing.
find_program(STRATA_MATRIX_SST_DUMP sst_dump)
if(NOT STRATA_MATRIX_SST_DUMP)
  set(STRATA_MATRIX_SST_DUMP "")
endif()
if(TARGET strata_option_matrix)
  return()
endif()
file(GLOB strata_option_matrix_srcs CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_LIST_DIR}/*.cc)
list(FILTER strata_option_matrix_srcs EXCLUDE REGEX "_test\\.cc$")
add_library(strata_option_matrix STATIC ${strata_option_matrix_srcs})
# Includes read "matrix/option_matrix.h", as tests read "testutil/...".
target_include_directories(strata_option_matrix PUBLIC
                           ${CMAKE_CURRENT_LIST_DIR}/..)
target_link_libraries(strata_option_matrix PUBLIC strata_db)
