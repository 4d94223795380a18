# Helper functions shared by every component (abseil-style): one place sets warnings,
# sanitizers and include paths so targets stay consistent.
#
# Include paths are the layering (docs/architecture.md). A file's folder says its library, and a
# target sees only its own folder and the folders of what it links: each folder F gets an include
# root ${PROJECT_BINARY_DIR}/include/<F with '/' as '_'> holding one symlink F -> the source folder,
# so `#include "sim/model/world.h"` resolves only where the spotsim_model root is on the path. The
# roots travel with PUBLIC linking; the source root itself is never an include path. A wrong-way
# include (the scenario compiler including the model, the model including record, ...) therefore
# fails to compile; tests/layering checks it.
#
# The folder of a target: sim/<layer> for the simulator's layers, otherwise the top-level folder
# (chaos-agent, viz, bench, tests, ...).
function(spotsim_folder_of out dir)
  file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${dir})
  if(rel STREQUAL "" OR rel MATCHES "^\\.\\.")
    message(FATAL_ERROR "${dir}: spotsim targets are declared in the folder of their sources, below the source root")
  endif()
  string(REPLACE "/" ";" parts "${rel}")
  list(GET parts 0 top)
  if(top STREQUAL "sim")
    list(GET parts 1 layer)
    set(${out} "sim/${layer}" PARENT_SCOPE)
  else()
    set(${out} "${top}" PARENT_SCOPE)
  endif()
endfunction()

# The include root of FOLDER (created at configure time; symlinks cost no copy and no rebuild).
function(spotsim_include_root out folder)
  string(REPLACE "/" "_" flat "${folder}")
  set(root ${PROJECT_BINARY_DIR}/include/${flat})
  set(link ${root}/${folder})
  if(IS_SYMLINK ${link})
    file(READ_SYMLINK ${link} target)
    if(NOT target STREQUAL "${PROJECT_SOURCE_DIR}/${folder}")
      file(REMOVE ${link})  # a moved source tree
    endif()
  endif()
  if(NOT IS_SYMLINK ${link})
    get_filename_component(parent ${link} DIRECTORY)
    file(MAKE_DIRECTORY ${parent})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/${folder} ${link} SYMBOLIC)
  endif()
  set(${out} ${root} PARENT_SCOPE)
endfunction()

# Gives TARGET the include root of the folder it is declared in (VISIBILITY PUBLIC for libraries).
function(spotsim_own_include_root target visibility)
  spotsim_folder_of(folder ${CMAKE_CURRENT_SOURCE_DIR})
  spotsim_include_root(root ${folder})
  target_include_directories(${target} ${visibility} ${root})
endfunction()

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

# Runtime defaults for the sanitizers of an executable (cmake/sanitizer_options.cpp says why).
function(spotsim_sanitizer_options target)
  if(SPOTSIM_SANITIZE)
    target_sources(${target} PRIVATE ${PROJECT_SOURCE_DIR}/cmake/sanitizer_options.cpp)
  endif()
endfunction()

# spotsim_library(NAME SOURCES ... DEPS ...)
function(spotsim_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  spotsim_own_include_root(${name} PUBLIC)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  spotsim_apply_common(${name})
endfunction()

# spotsim_executable(NAME SOURCES ... DEPS ...)
function(spotsim_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  spotsim_own_include_root(${name} PRIVATE)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  spotsim_apply_common(${name})
  spotsim_sanitizer_options(${name})
endfunction()

# spotsim_test(NAME SOURCES ... DEPS ... [LABELS ...])
# A Catch2 v2 executable; each TEST_CASE becomes one ctest test via catch_discover_tests.
function(spotsim_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  spotsim_own_include_root(${name} PRIVATE)
  target_link_libraries(${name} PRIVATE spotsim_catch_main ${ARG_DEPS})
  target_compile_definitions(${name} PRIVATE
    SPOTSIM_SOURCE_DIR="${PROJECT_SOURCE_DIR}" SPOTSIM_BINARY_DIR="${PROJECT_BINARY_DIR}")
  spotsim_apply_common(${name})
  spotsim_sanitizer_options(${name})
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
  spotsim_own_include_root(${name} PRIVATE)
endfunction()
