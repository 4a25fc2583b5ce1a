/* A host of the installed Redis backend: vigil_redis.h, libvigil_redis and
 * libvigil found through pkg-config or find_package(vigil). It checks the
 * link and one refusal; no Redis server is needed. */
#include "vigil/vigil_redis.h"

#include <stdio.h>

int main(void) {
  vigil_redis_options options = {0};
  vigil_redis* redis = NULL;
  char err[128] = "";
  /* struct_size 0 is refused before any connection is tried. */
  if (vigil_redis_open(&options, &redis, err, sizeof err) != VIGIL_ERR_MISUSE) return 1;
  if (redis != NULL) return 2;
  if (vigil_abi_version() != VIGIL_ABI_VERSION) return 3;
  printf("vigil_redis: %s\n", err);
  return 0;
}
