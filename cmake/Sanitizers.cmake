# parfold_sanitizers: an INTERFACE target that adds -fsanitize=${PARFOLD_SANITIZE}.
add_library(parfold_sanitizers INTERFACE)
if(PARFOLD_SANITIZE)
  target_compile_options(parfold_sanitizers INTERFACE
    -fsanitize=${PARFOLD_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(parfold_sanitizers INTERFACE -fsanitize=${PARFOLD_SANITIZE})
endif()
