// Versions live here; the app module is app/build.gradle.kts. Kotlin matches pom.xml.
plugins {
    id("com.android.application") version "8.13.0" apply false
    id("org.jetbrains.kotlin.android") version "2.2.21" apply false
}
