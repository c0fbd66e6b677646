"""The code of each chapter: one module per chapter, named like its notebook.

    ch01_neuron             book/ch01_neuron.ipynb
    ch02_logistic           book/ch02_logistic.ipynb
    ch03_softmax            book/ch03_softmax.ipynb
    ch04_gradient_descent   book/ch04_gradient_descent.ipynb
    ch05_activations        book/ch05_activations.ipynb

Chapters 6-10 get theirs the same way (ch06_mlp, ch07_stability,
ch08_regularization, ch09_optimizers, ch10_capstone).

A chapter module holds the short, readable versions of the formulas its
chapter derives; the book shows them. Each imports only the core library
(nnlab.activations, nnlab.layers, ...), never another chapter module and
never nnlab.book. Where the core has a fast or numerically careful version
of the same formula, a test checks that the two agree.

    from nnlab.chapters import ch02_logistic as ch2
"""
