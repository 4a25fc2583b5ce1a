# Extracts the "A TYPICAL HOST" sample from vigil.h into a C program, so that
# the sample the header shows is the code the tests compile and run.
#   cmake -DHEADER=vigil.h -DOUT=sample.c -P header_sample.cmake
file(READ "${HEADER}" text)
string(FIND "${text}" " * A TYPICAL HOST" begin)
string(FIND "${text}" " * HOT RELOAD" end)
if(begin EQUAL -1 OR end EQUAL -1 OR end LESS begin)
  message(FATAL_ERROR "vigil.h has no \"A TYPICAL HOST\" section before \"HOT RELOAD\"")
endif()
math(EXPR length "${end} - ${begin}")
string(SUBSTRING "${text}" ${begin} ${length} block)
# Drop the heading (up to the first blank comment line), then the " * "
# comment margin of every line.
string(FIND "${block}" "\n *\n" body)
math(EXPR body "${body} + 4")
string(SUBSTRING "${block}" ${body} -1 block)
string(REGEX REPLACE "(^|\n) \\*( |$)" "\\1" block "${block}")
string(REGEX REPLACE "(^|\n) \\*\n" "\\1\n" block "${block}")
file(WRITE "${OUT}" "/* Generated from vigil.h (A TYPICAL HOST) by tests/abi/header_sample.cmake. */
#include <stdio.h>
#include <string.h>

#include \"vigil/vigil.h\"

int main(int argc, char** argv) {
  const char* line = argc > 1 ? argv[1] : \"{}\";
  size_t line_len = strlen(line);
${block}
  return 0;
}
")
