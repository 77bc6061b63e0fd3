# Freestanding 32-bit guest programs (test kernels now, the microkernel and its
# servers later), built with the host compiler in i386 mode (DESIGN.md §4).
# Custom commands rather than targets keep the host's sanitizer and warning
# flags away from guest code.
set(L4SIM_GUEST_CFLAGS -m32 -march=i486 -ffreestanding -fno-pic -fno-pie -fno-stack-protector
    -fno-asynchronous-unwind-tables -fno-builtin -nostdlib -O2 -g -Wall -Wextra -Werror -std=gnu11
    # Boot modules are whole ELF files, so their size decides where the kernel
    # finds free memory: the debug information must not depend on where the
    # checkout or the build directory lives (the cycle reference and the
    # budgets are exact). The build directory's map comes last: it wins.
    -ffile-prefix-map=${CMAKE_SOURCE_DIR}=/l4sim -ffile-prefix-map=${CMAKE_BINARY_DIR}=/l4sim/build)

# l4sim_guest_executable(<name> LINKER_SCRIPT <ld> SOURCES <.c/.S ...> [INCLUDES <dirs>] [DEFINES <macros>])
# produces ${CMAKE_CURRENT_BINARY_DIR}/<name>.elf and a target guest_<name>.
function(l4sim_guest_executable name)
  cmake_parse_arguments(G "" "LINKER_SCRIPT" "SOURCES;INCLUDES;DEFINES" ${ARGN})
  set(defs)
  foreach(d ${G_DEFINES})
    list(APPEND defs -D${d})
  endforeach()
  set(objs)
  set(incs)
  set(headers)
  foreach(dir ${G_INCLUDES})
    list(APPEND incs -I${dir})
    file(GLOB h CONFIGURE_DEPENDS ${dir}/*.h)
    list(APPEND headers ${h})
  endforeach()
  foreach(src ${G_SOURCES})
    get_filename_component(base ${src} NAME)
    set(obj ${CMAKE_CURRENT_BINARY_DIR}/guest_${name}/${base}.o)
    add_custom_command(
      OUTPUT ${obj}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/guest_${name}
      COMMAND ${CMAKE_C_COMPILER} ${L4SIM_GUEST_CFLAGS} ${defs} ${incs} -c ${src} -o ${obj}
      DEPENDS ${src} ${headers}
      COMMENT "Guest ${name}: compiling ${base}"
      VERBATIM)
    list(APPEND objs ${obj})
  endforeach()
  set(elf ${CMAKE_CURRENT_BINARY_DIR}/${name}.elf)
  add_custom_command(
    OUTPUT ${elf}
    COMMAND ld -m elf_i386 --no-warn-rwx-segments -T ${G_LINKER_SCRIPT} -o ${elf} ${objs}
    DEPENDS ${objs} ${G_LINKER_SCRIPT}
    COMMENT "Guest ${name}: linking"
    VERBATIM)
  add_custom_target(guest_${name} ALL DEPENDS ${elf})
endfunction()
