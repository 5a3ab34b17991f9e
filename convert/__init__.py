"""Export: adapter merge, GGUF conversion, quantisation, Ollama Modelfiles, fidelity checks.

The pipeline, each step usable alone (modules are imported by name; none imports torch or
llama.cpp before a function that needs it runs)::

    from codesteer.convert.merge import merge_adapter           # LoRA into the fp base
    from codesteer.convert.gguf_export import convert_to_gguf, lora_to_gguf
    from codesteer.convert.quantize import quantize             # llama.cpp's quantiser
    from codesteer.convert.fidelity import check_fidelity       # GGUF vs the HF model
    from codesteer.convert.ollama import write_modelfile, ollama_create, ollama_command
    from codesteer.convert.hf import materialize_hf             # GGUF -> HF folder

    merge_adapter(base, adapter, merged)
    convert_to_gguf(merged, f16_gguf, "f16")
    quantize(f16_gguf, q_gguf, "Q4_K_M")
    check_fidelity(q_gguf, merged).ok
    write_modelfile(q_gguf, folder / "Modelfile")

Errors are :class:`~codesteer.errors.UserError` subclasses (:mod:`codesteer.convert.errors`).
"""
