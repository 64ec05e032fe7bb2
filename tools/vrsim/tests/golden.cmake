# SPDX-License-Identifier: BSD-3-Clause
# Golden test of vrsim's text summary:
#   cmake -DVRSIM=<exe> -DSCENARIO=<file or empty for the default> -DGOLDEN=<file>
#         -DEXPECT_EXIT=<status> -DACTUAL_DIR=<dir> [-DUPDATE=1] -P golden.cmake
# Runs vrsim in the current directory, compares stdout with GOLDEN byte for
# byte and the exit status with EXPECT_EXIT. UPDATE=1 rewrites GOLDEN instead
# (review the diff before committing it: the library's numbers changed).
if(SCENARIO)
  set(_args ${SCENARIO})
else()
  set(_args "")
endif()
execute_process(COMMAND ${VRSIM} ${_args}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(UPDATE)
  file(WRITE ${GOLDEN} "${out}")
  message(STATUS "updated ${GOLDEN} (exit ${rc})")
  return()
endif()
if(NOT rc EQUAL EXPECT_EXIT)
  message(FATAL_ERROR "vrsim ${_args}: exit status ${rc}, expected ${EXPECT_EXIT}\n${err}")
endif()
if(NOT EXISTS ${GOLDEN})
  message(FATAL_ERROR "no golden file ${GOLDEN}: run the vrsim-update-golden target")
endif()
file(READ ${GOLDEN} want)
if(NOT out STREQUAL want)
  get_filename_component(_name ${GOLDEN} NAME)
  set(_actual ${ACTUAL_DIR}/${_name}.actual)
  file(WRITE ${_actual} "${out}")
  execute_process(COMMAND diff -u ${GOLDEN} ${_actual} OUTPUT_VARIABLE d)
  message(FATAL_ERROR "vrsim ${_args}: output differs from ${GOLDEN}\n${d}\n"
    "If the change is intended: cmake --build <dir> --target vrsim-update-golden")
endif()
