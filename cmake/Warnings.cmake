# parfold_warnings: an INTERFACE target carrying the project's warning flags.
add_library(parfold_warnings INTERFACE)
target_compile_options(parfold_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Woverloaded-virtual -Wnull-dereference -Wdouble-promotion -Wformat=2
  -Wimplicit-fallthrough)
if(PARFOLD_WERROR)
  target_compile_options(parfold_warnings INTERFACE -Werror)
endif()
