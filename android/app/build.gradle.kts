// The Komora app for devices: docs/ANDROID-BUILD.md. `./gradlew assembleRelease` cross-compiles
// the Rust core with cargo-ndk, generates the Kotlin bindings with uniffi, and builds the APK from
// the same Kotlin sources the Maven build (../pom.xml) type-checks and tests on the JVM.
import java.util.Properties
import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
}

val repoRoot: File = rootDir.parentFile
val cargoTarget: File = System.getenv("CARGO_TARGET_DIR")?.let(::File) ?: repoRoot.resolve("target")
val uniffiOut: File = layout.buildDirectory.dir("generated/uniffi").get().asFile
val osName = System.getProperty("os.name").lowercase()
val hostLibrary: File = cargoTarget.resolve(
    when {
        "mac" in osName -> "debug/libkomora_ffi.dylib"
        "windows" in osName -> "debug/komora_ffi.dll"
        else -> "debug/libkomora_ffi.so"
    },
)

// Release signing: environment variables first (CI), else android/keystore.properties (git-ignored).
// Without either, assembleRelease still builds, unsigned (app-release-unsigned.apk).
val keystoreProperties = Properties().apply {
    val file = rootProject.file("keystore.properties")
    if (file.isFile) file.inputStream().use { load(it) }
}
fun signingValue(env: String, key: String): String? =
    System.getenv(env)?.takeIf { it.isNotBlank() } ?: keystoreProperties.getProperty(key)
val releaseStoreFile: String? = signingValue("KOMORA_KEYSTORE", "storeFile")

android {
    namespace = "org.ami.komora"
    compileSdk = 35

    defaultConfig {
        applicationId = "org.ami.komora"
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        ndk {
            abiFilters += listOf("arm64-v8a", "armeabi-v7a", "x86_64")
        }
    }

    sourceSets {
        getByName("main") {
            // Plain-Kotlin API and presenters, the Android platform layer, the generated bindings.
            kotlin.srcDirs("../src/main/kotlin", "../src/android/kotlin", uniffiOut)
        }
    }

    signingConfigs {
        if (releaseStoreFile != null) {
            create("release") {
                storeFile = rootProject.file(releaseStoreFile)
                storePassword = signingValue("KOMORA_KEYSTORE_PASSWORD", "storePassword")
                keyAlias = signingValue("KOMORA_KEY_ALIAS", "keyAlias")
                keyPassword = signingValue("KOMORA_KEY_PASSWORD", "keyPassword")
            }
        }
    }

    buildTypes {
        release {
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
            signingConfig = signingConfigs.findByName("release")
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin {
    compilerOptions {
        jvmTarget.set(JvmTarget.JVM_17)
    }
}

dependencies {
    // The generated bindings call the core through JNA; the AAR carries libjnidispatch.so per ABI.
    implementation("net.java.dev.jna:jna:5.18.1@aar")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.10.2")
    // Reads the enrolment QR code from camera frames (the same version the Maven build tests).
    implementation("com.google.zxing:core:3.5.3")
}

// The core for each device ABI, into src/main/jniLibs/<abi>/libkomora_ffi.so (git-ignored).
val cargoNdk by tasks.registering(Exec::class) {
    group = "rust"
    description = "Cross-compiles komora-ffi for the device ABIs with cargo-ndk."
    workingDir = repoRoot
    commandLine(
        "cargo", "ndk",
        "-t", "arm64-v8a", "-t", "armeabi-v7a", "-t", "x86_64",
        "--platform", "26",
        "-o", file("src/main/jniLibs").absolutePath,
        "build", "--release", "--locked", "-p", "komora-ffi",
    )
}

// The bindings come from the host build of the same crate: uniffi's library mode reads the
// metadata in the library, which is the same on every platform.
val cargoHostBuild by tasks.registering(Exec::class) {
    group = "rust"
    description = "Builds komora-ffi and uniffi-bindgen for this machine."
    workingDir = repoRoot
    commandLine("cargo", "build", "--locked", "-p", "komora-ffi", "-p", "uniffi-bindgen")
}

val uniffiBindgen by tasks.registering(Exec::class) {
    group = "rust"
    description = "Generates the Kotlin bindings (org.ami.komora.core) into build/generated/uniffi."
    dependsOn(cargoHostBuild)
    workingDir = repoRoot
    commandLine(
        cargoTarget.resolve(if ("windows" in osName) "debug/uniffi-bindgen.exe" else "debug/uniffi-bindgen").path,
        "generate", "--library", hostLibrary.path,
        "--language", "kotlin", "--no-format",
        "--out-dir", uniffiOut.path,
    )
}

tasks.named("preBuild") {
    dependsOn(cargoNdk, uniffiBindgen)
}
