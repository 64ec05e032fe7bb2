# SPDX-License-Identifier: BSD-3-Clause
# cmake -DIN=<file> -DOUT=<file.c> -DSYM=<symbol> -P embed.cmake
# Writes a C file defining  const unsigned char SYM[]  (the bytes of IN, plus a
# terminating 0 not counted) and  const size_t SYM_len.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n" body "${body}")
get_filename_component(name "${IN}" NAME)
file(WRITE "${OUT}.tmp"
  "/* Generated from ${name} by tools/vrsim/embed.cmake: do not edit. */\n"
  "#include <stddef.h>\n"
  "extern const unsigned char ${SYM}[];\n"
  "extern const size_t ${SYM}_len;\n"
  "const unsigned char ${SYM}[] = {\n${body}0x00\n};\n"
  "const size_t ${SYM}_len = ${len};\n")
execute_process(COMMAND "${CMAKE_COMMAND}" -E copy_if_different "${OUT}.tmp" "${OUT}")
file(REMOVE "${OUT}.tmp")
