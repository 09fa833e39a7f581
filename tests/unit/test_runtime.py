import pytest

from esc_edge.errors import ConfigError
from esc_edge.runtime import SystemProbe, load_profiles, onnx_providers, select_runtime


def test_all_four_profiles_ship() -> None:
    assert set(load_profiles()) == {"cpu", "cuda", "metal", "vulkan"}


def test_auto_is_cpu_without_a_gpu() -> None:
    probe = SystemProbe(system="linux", machine="x86_64", llama_gpu_offload=False, commands=["nvidia-smi"])
    assert select_runtime("auto", probe).name == "cpu"


def test_auto_picks_cuda_with_an_nvidia_gpu_build() -> None:
    probe = SystemProbe(system="linux", machine="x86_64", llama_gpu_offload=True, commands=["nvidia-smi"])
    profile = select_runtime("auto", probe)
    assert profile.name == "cuda" and profile.n_gpu_layers == -1


def test_auto_picks_metal_on_apple_silicon() -> None:
    probe = SystemProbe(system="darwin", machine="arm64", llama_gpu_offload=True, commands=[])
    assert select_runtime("auto", probe).name == "metal"


def test_auto_picks_vulkan_when_only_vulkan_is_there() -> None:
    probe = SystemProbe(system="linux", machine="x86_64", llama_gpu_offload=True, commands=["vulkaninfo"])
    assert select_runtime("auto", probe).name == "vulkan"


def test_unknown_runtime_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown runtime 'tpu'"):
        select_runtime("tpu")


def test_cpu_threads_by_model_size_and_override() -> None:
    cpu = select_runtime("cpu")
    assert cpu.llama_threads(135) == (1, 1)
    assert cpu.llama_threads(135, override=2) == (2, 2)
    assert cpu.llama_threads(7000)[0] >= 1


def test_onnx_providers_fall_back_to_cpu() -> None:
    cuda = select_runtime("cuda")
    assert onnx_providers(cuda, ["CPUExecutionProvider"]) == ["CPUExecutionProvider"]
    assert (
        onnx_providers(cuda, ["CUDAExecutionProvider", "CPUExecutionProvider"])[0] == "CUDAExecutionProvider"
    )


def test_install_command_carries_the_build_flags() -> None:
    assert "-DGGML_CUDA=on" in select_runtime("cuda").install_command()
    assert "-DGGML_AVX2=ON" in select_runtime("cpu").install_command()
