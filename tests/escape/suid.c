/* escape-suid: installed setuid root by the test; prints what exec gave it:
 * "euid=N capeff=HEX". */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	char line[256], capeff[32] = "?";
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %31s", capeff) == 1)
			break;
	if (f)
		fclose(f);
	printf("euid=%u capeff=%s\n", (unsigned)geteuid(), capeff);
	return 0;
}
