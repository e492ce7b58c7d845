# Fails when a file includes a header from a higher layer (STYLE.md section 1)
# or a third-party header outside the one place allowed to see it.
#
#   cmake -DROOT=<source tree> [-DEXPECT_VIOLATIONS=N] -P CheckLayers.cmake
#
# Without EXPECT_VIOLATIONS it succeeds only when there is no violation; with
# it, only when exactly N are found (used to prove the check can fail).
if(NOT DEFINED ROOT)
  message(FATAL_ERROR "usage: cmake -DROOT=<dir> -P CheckLayers.cmake")
endif()

# Folder -> top-level folders its quoted includes may name.
set(allowed_include_strata "strata")
set(allowed_util "strata;util")
set(allowed_env "strata;util;env")
set(allowed_table "strata;util;env;table")
set(allowed_db "strata;util;env;table;db")
set(allowed_db_bench "strata;util;db_bench")
# tools/option_matrix runs the option matrix, whose (GoogleTest-free) logic
# lives with its tests in tests/matrix/.
set(allowed_tools "strata;util;env;table;db;tools;tests")
set(allowed_benchmarks "strata;util;env;table;db;benchmarks")
set(layers include/strata util env table db db_bench tools benchmarks)

# Third-party headers and the folders (and file endings) allowed to include them.
set(compression_re "^<(zstd|zdict|xxhash|snappy|snappy-c|lz4|lz4hc|lz4frame)\\.h>")

get_filename_component(ROOT "${ROOT}" ABSOLUTE)
set(violations 0)
set(report "")
foreach(layer ${layers})
  string(REPLACE "/" "_" key "${layer}")
  set(allowed "${allowed_${key}}")
  file(GLOB_RECURSE files "${ROOT}/${layer}/*.h" "${ROOT}/${layer}/*.cc")
  foreach(f ${files})
    file(RELATIVE_PATH rel "${ROOT}" "${f}")
    file(STRINGS "${f}" lines REGEX "^[ \t]*#[ \t]*include")
    foreach(line ${lines})
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*" "" inc "${line}")
      string(REGEX REPLACE "[ \t]*//.*" "" inc "${inc}")
      string(STRIP "${inc}" inc)
      set(bad "")
      if(inc MATCHES "^\"([^\"/]+)/")
        list(FIND allowed "${CMAKE_MATCH_1}" idx)
        if(idx EQUAL -1)
          set(bad "${layer}/ may include only: ${allowed}")
        endif()
      elseif(inc MATCHES "^\"")
        set(bad "include paths start at the repository root")
      elseif(inc MATCHES "^<(gtest|gmock)/")
        set(bad "GoogleTest belongs to tests/ only")
      elseif(inc MATCHES "^<gflags/")
        if(NOT layer MATCHES "^(db_bench|tools)$")
          set(bad "gflags belongs to db_bench/ and tools/ only")
        endif()
      elseif(inc MATCHES "^<rocksdb/")
        # RocksDB is the reference tests and benchmarks compare against;
        # the library never depends on it.
        if(NOT layer STREQUAL "benchmarks")
          set(bad "RocksDB headers belong to tests/ and benchmarks/ only")
        endif()
      elseif(inc MATCHES "${compression_re}")
        if(NOT (layer STREQUAL "util" AND rel MATCHES "\\.cc$"))
          set(bad "compression and hash libraries stay inside util/*.cc")
        endif()
      endif()
      if(bad)
        math(EXPR violations "${violations} + 1")
        string(APPEND report "  ${rel}: #include ${inc}: ${bad}\n")
      endif()
    endforeach()
  endforeach()
endforeach()

if(DEFINED EXPECT_VIOLATIONS)
  if(NOT violations EQUAL EXPECT_VIOLATIONS)
    message(FATAL_ERROR "expected ${EXPECT_VIOLATIONS} violations in ${ROOT}, "
                        "found ${violations}:\n${report}")
  endif()
  message(STATUS "found the ${violations} expected violations:\n${report}")
elseif(violations GREATER 0)
  message(FATAL_ERROR "${violations} layering violation(s):\n${report}")
else()
  message(STATUS "layers OK: every include points downward")
endif()
