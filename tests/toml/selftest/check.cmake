# Runs RUNNER with ARGS (a |-separated list) and checks its exit status
# (EXPECT_RC) and that its output (stdout + stderr) matches EXPECT_REGEX.
string(REPLACE "|" ";" args "${ARGS}")
execute_process(COMMAND ${RUNNER} ${args} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(all "${out}${err}")
if(NOT rc EQUAL EXPECT_RC)
  message(FATAL_ERROR "exit status ${rc}, expected ${EXPECT_RC}; output:\n${all}")
endif()
if(NOT all MATCHES "${EXPECT_REGEX}")
  message(FATAL_ERROR "output does not match '${EXPECT_REGEX}':\n${all}")
endif()
