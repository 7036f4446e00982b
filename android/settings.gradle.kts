// The Android app, for device builds (docs/ANDROID-BUILD.md). It compiles the same Kotlin sources
// that `mvn -f android/pom.xml verify` type-checks and tests on the JVM; the Rust core is
// cross-compiled by cargo-ndk from the workspace one directory up.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "komora"
include(":app")
