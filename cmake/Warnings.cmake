# parfold_warnings: an INTERFACE target carrying the project's warning flags.
add_library(parfold_warnings INTERFACE)
target_compile_options(parfold_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Woverloaded-virtual -Wnull-dereference -Wdouble-promotion -Wformat=2
  -Wimplicit-fallthrough)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  # GCC 12 reports false -Wrestrict positives on std::string concatenation at -O3 (GCC bug 105329).
  target_compile_options(parfold_warnings INTERFACE -Wno-restrict)
endif()
if(PARFOLD_WERROR)
  target_compile_options(parfold_warnings INTERFACE -Werror)
endif()
