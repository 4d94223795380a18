# Helper functions shared by every component (abseil-style): one place sets warnings,
# sanitizers and include paths so targets stay consistent.

function(spotsim_apply_common target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wno-unused-parameter)
  if(SPOTSIM_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    # GCC 12 reports impossible std::string copies at -O2 (-Wrestrict false positive, GCC bug
    # 105329, fixed in 13): pages of noise in every Release build, no signal.
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(SPOTSIM_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# spotsim_library(NAME SOURCES ... DEPS ...)
function(spotsim_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  spotsim_apply_common(${name})
endfunction()

# spotsim_executable(NAME SOURCES ... DEPS ...)
function(spotsim_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  spotsim_apply_common(${name})
endfunction()

# spotsim_test(NAME SOURCES ... DEPS ... [LABELS ...])
# A Catch2 v2 executable; each TEST_CASE becomes one ctest test via catch_discover_tests.
function(spotsim_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE spotsim_catch_main ${ARG_DEPS})
  target_compile_definitions(${name} PRIVATE
    SPOTSIM_SOURCE_DIR="${PROJECT_SOURCE_DIR}" SPOTSIM_BINARY_DIR="${PROJECT_BINARY_DIR}")
  spotsim_apply_common(${name})
  catch_discover_tests(${name} PROPERTIES LABELS "${ARG_LABELS}"
                       WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endfunction()

# spotsim_libfuzzer(NAME SOURCE file.cpp DEFINE MACRO DEPS ...)
# A libFuzzer target built from a deterministic fuzz driver's source with MACRO=1 defined (the
# driver then exposes LLVMFuzzerTestOneInput instead of main). Only with clang; otherwise nothing.
function(spotsim_libfuzzer name)
  cmake_parse_arguments(ARG "" "SOURCE;DEFINE" "DEPS" ${ARGN})
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    return()
  endif()
  add_executable(${name} ${ARG_SOURCE})
  target_compile_definitions(${name} PRIVATE ${ARG_DEFINE}=1)
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer,address)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
endfunction()
