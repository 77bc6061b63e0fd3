// Placeholder CLI, replaced below.
int main() { return 0; }
