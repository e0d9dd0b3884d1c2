#include "test_registry.h"
