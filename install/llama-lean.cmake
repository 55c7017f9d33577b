# Build only what the Python bindings of llama-cpp-python load (libllama and ggml).
#
# llama-cpp-python forces llama.cpp's "common" helper library on, for the multimodal
# tools; tinytroupe's embedded model uses neither, and common (with its HTTP client) is
# about half of the compile time. CMake includes this file right after llama.cpp's
# project() call, before its options are read (CMAKE_PROJECT_llama.cpp_INCLUDE), so the
# library is left out. README's quick start passes it in CMAKE_ARGS.
set(LLAMA_BUILD_COMMON OFF CACHE BOOL "llama: build common utils library" FORCE)
