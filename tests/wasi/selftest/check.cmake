# Runs wg_wasi_runner and checks its exit status and output (self-tests of
# the runner, see CMakeLists.txt). Variables:
#   RUNNER       the runner executable
#   ARGS         its arguments, separated by '|'
#   EXPECT_RC    the exit status it must return
#   EXPECT_REGEX a regular expression its stdout+stderr must match
string(REPLACE "|" ";" args "${ARGS}")
execute_process(COMMAND ${RUNNER} ${args}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT "${rc}" STREQUAL "${EXPECT_RC}")
  message(FATAL_ERROR "wg_wasi_runner exited with ${rc}, expected ${EXPECT_RC}")
endif()
if(NOT "${out}${err}" MATCHES "${EXPECT_REGEX}")
  message(FATAL_ERROR "output does not match: ${EXPECT_REGEX}")
endif()
